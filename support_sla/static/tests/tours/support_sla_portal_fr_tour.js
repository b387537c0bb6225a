import {registry} from "@web/core/registry";

/**
 * A French customer submits a ticket: the form, the live preview (before and after a
 * change) and the ticket page speak French.
 */
function assertFrenchDeadline() {
    const box = document.querySelector("#support_sla_preview");
    const deadline = box.querySelector(".o_sla_preview_deadline");
    const expected = new Intl.DateTimeFormat("fr-FR", {
        dateStyle: "medium",
        timeStyle: "short",
        timeZone: box.dataset.tz,
    }).format(new Date(deadline.dataset.deadline));
    if (deadline.textContent.trim() !== expected) {
        throw new Error(`Deadline "${deadline.textContent}" is not French ("${expected}")`);
    }
}

registry.category("web_tour.tours").add("support_sla_portal_fr_tour", {
    url: "/new/ticket",
    steps: () => [
        {
            content: "The preview speaks French",
            trigger: "#support_sla_preview[data-lang='fr-FR']:contains(Priorité)",
        },
        {
            content: "Subject",
            trigger: "input[name='subject']",
            run: "edit Devis vides depuis ce matin",
        },
        {
            content: "Description",
            trigger: "textarea[name='description']",
            run: "edit Les devis sortent vides depuis ce matin.",
        },
        {
            content: "High impact",
            trigger: "select[name='impact']",
            run: "select high",
        },
        {
            content: "The preview changed: P2",
            trigger: "#support_sla_preview[data-priority='2'] .o_sla_preview_priority:contains(P2)",
        },
        {
            content: "The deadline stays French after the change",
            trigger:
                "#support_sla_preview .o_sla_preview_deadline_line:not(.d-none):contains(Première réponse)",
            run: assertFrenchDeadline,
        },
        {
            content: "High urgency",
            trigger: "select[name='urgency']",
            run: "select high",
        },
        {
            content: "P1 now, still in French",
            trigger: "#support_sla_preview[data-priority='3'] .o_sla_preview_priority:contains(P1)",
            run: assertFrenchDeadline,
        },
        {
            content: "Submit",
            trigger: "form[action='/submitted/ticket'] button[type='submit']",
            run: "click",
        },
        {
            content: "The ticket page says the clock runs, in French",
            trigger: ".o_sla_response .badge[data-status='running']:contains(En cours)",
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
