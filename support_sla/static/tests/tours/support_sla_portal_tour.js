import {registry} from "@web/core/registry";

/**
 * A portal customer submits a ticket: the preview follows impact and urgency, the
 * ticket shows its deadline, then the customer raises the priority with a reason
 * and asks to be called back.
 */
registry.category("web_tour.tours").add("support_sla_portal_tour", {
    url: "/new/ticket",
    steps: () => [
        {
            content: "The form asks for one problem per ticket",
            trigger: "#sla_one_problem",
        },
        {
            content: "Medium impact and urgency: P3 before any change",
            trigger: "#support_sla_preview[data-priority='1'] .o_sla_preview_priority:contains(P3)",
        },
        {
            content: "Subject",
            trigger: "input[name='subject']",
            run: "edit No backup since Monday",
        },
        {
            content: "Description",
            trigger: "textarea[name='description']",
            run: "edit The nightly backup job fails on every server.",
        },
        {
            content: "High impact",
            trigger: "select[name='impact']",
            run: "select high",
        },
        {
            content: "The preview now says P2",
            trigger: "#support_sla_preview[data-priority='2'] .o_sla_preview_priority:contains(P2)",
        },
        {
            content: "High urgency",
            trigger: "select[name='urgency']",
            run: "select high",
        },
        {
            content: "The preview now says P1, with a response deadline",
            trigger: "#support_sla_preview[data-priority='3'] .o_sla_preview_priority:contains(P1)",
        },
        {
            content: "The deadline is shown in the customer's time zone",
            trigger: "#support_sla_preview .o_sla_preview_deadline_line:not(.d-none) .o_sla_preview_tz:contains(Asia/Tokyo)",
        },
        {
            content: "Submit",
            trigger: "form[action='/submitted/ticket'] button[type='submit']",
            run: "click",
        },
        {
            content: "The ticket page shows P1 and its response deadline",
            trigger: "div[name='sla_priority'] .o_sla_priority:contains(P1)",
        },
        {
            content: "The response clock runs",
            trigger: ".o_sla_response .badge[data-status='running']",
        },
        {
            content: "Open the priority change",
            trigger: "#support_sla_priority_override summary",
            run: "click",
        },
        {
            content: "Choose P2",
            trigger: "select[name='priority']",
            run: "select 2",
        },
        {
            content: "Say why",
            trigger: "textarea[name='reason']",
            run: "edit A workaround restores the backups by hand",
        },
        {
            content: "Change the priority",
            trigger: "button[name='sla_override']",
            run: "click",
        },
        {
            content: "P2 is shown, the matrix P1 stays visible",
            trigger: "div[name='sla_priority']:contains(P2):contains(→ P1)",
        },
        {
            content: "Ask to be called back",
            trigger: "button[name='mode'][value='asap']",
            run: "click",
        },
        {
            content: "The pending call-back is shown",
            trigger: "div[name='sla_callback_pending']",
        },
        {
            // Ending while the portal chatter still loads its bundle fails the test run.
            content: "Wait for the portal chatter to finish loading",
            trigger: "#chatterRoot:shadow .o-mail-Chatter",
            run: async () => {
                await odoo.portalChatterReady;
            },
        },
    ],
});
