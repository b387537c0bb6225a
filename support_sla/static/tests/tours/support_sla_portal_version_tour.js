import {registry} from "@web/core/registry";

/**
 * A portal customer picks the product version of a new ticket: the form shows the
 * end of support of each version, the preview says before submitting that a version
 * past its end of support is handled on a best-effort basis, and a supported version
 * gets its response deadline.
 */
registry.category("web_tour.tours").add("support_sla_portal_version_tour", {
    url: "/new/ticket",
    steps: () => [
        {
            content: "The versions come with their end of support",
            trigger: "select[name='product_version_id']:has(option:contains(supported until))",
        },
        {
            content: "Subject",
            trigger: "input[name='subject']",
            run: "edit Agent does not start",
        },
        {
            content: "Description",
            trigger: "textarea[name='description']",
            run: "edit The agent service stops at boot.",
        },
        {
            content: "Version 7.2, past its end of support",
            trigger: "select[name='product_version_id']",
            run: "selectByLabel Endpoint Manager 7.2",
        },
        {
            content: "The preview says best effort, and why, before submitting",
            trigger: "#support_sla_preview .o_sla_preview_best_effort:not(.d-none) .o_sla_preview_note:contains(version 7.2 reached end of support)",
        },
        {
            content: "Version 8.0, supported",
            trigger: "select[name='product_version_id']",
            run: "selectByLabel Endpoint Manager 8.0",
        },
        {
            content: "The preview gives the response deadline again",
            trigger: "#support_sla_preview .o_sla_preview_deadline_line:not(.d-none) .o_sla_preview_tz:contains(Asia/Tokyo)",
        },
        {
            content: "Submit",
            trigger: "form[action='/submitted/ticket'] button[type='submit']",
            run: "click",
        },
        {
            content: "The ticket page names the product and version",
            trigger: "div[name='sla_product']:contains(Endpoint Manager 8.0)",
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
