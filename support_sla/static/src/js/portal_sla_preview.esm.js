import {_t} from "@web/core/l10n/translation";
import publicWidget from "@web/legacy/js/public/public_widget";
import {rpc} from "@web/core/network/rpc";

/**
 * New-ticket form: on each change of impact, urgency or product version, show the priority and the
 * response deadline the ticket would get, as computed by the server.
 */
publicWidget.registry.SupportSlaPreview = publicWidget.Widget.extend({
    selector: "form[action='/submitted/ticket']",
    events: {
        "change select[name='impact']": "_onSeverityChange",
        "change select[name='urgency']": "_onSeverityChange",
        "change select[name='product_version_id']": "_onSeverityChange",
    },

    start() {
        this.box = this.el.querySelector("#support_sla_preview");
        this.requestId = 0;
        return this._super(...arguments);
    },

    async _onSeverityChange() {
        if (!this.box) {
            return;
        }
        const requestId = ++this.requestId;
        this.box.classList.add("opacity-50");
        let preview = null;
        try {
            preview = await rpc("/support_sla/preview", {
                impact: this.el.querySelector("select[name='impact']").value,
                urgency: this.el.querySelector("select[name='urgency']").value,
                product_version_id:
                    this.el.querySelector("select[name='product_version_id']")?.value ||
                    null,
            });
        } catch {
            preview = null;
        }
        // An older answer arriving late must not replace a newer one.
        if (requestId !== this.requestId) {
            return;
        }
        this.box.classList.remove("opacity-50");
        this._render(preview);
    },

    _render(preview) {
        const priority = this.box.querySelector(".o_sla_preview_priority");
        const deadlineLine = this.box.querySelector(".o_sla_preview_deadline_line");
        const deadline = this.box.querySelector(".o_sla_preview_deadline");
        const bestEffort = this.box.querySelector(".o_sla_preview_best_effort");
        const note = this.box.querySelector(".o_sla_preview_note");
        if (!preview) {
            priority.textContent = _t("unknown (try again)");
            return;
        }
        priority.textContent = preview.priority_label;
        this.box.dataset.priority = preview.priority;
        this.box.querySelector(".o_sla_preview_tz").textContent = preview.tz;
        if (preview.response_deadline) {
            // The customer's language, as the page was rendered (the page itself may
            // carry no lang attribute without the website module).
            const lang = (
                this.box.dataset.lang ||
                document.documentElement.lang ||
                "en-US"
            ).replace("_", "-");
            deadline.textContent = new Intl.DateTimeFormat(lang, {
                dateStyle: "medium",
                timeStyle: "short",
                timeZone: preview.tz,
            }).format(new Date(preview.response_deadline));
            deadline.dataset.deadline = preview.response_deadline;
        }
        deadlineLine.classList.toggle("d-none", !preview.response_deadline);
        bestEffort.classList.toggle("d-none", Boolean(preview.response_deadline));
        note.textContent = preview.note || "";
    },
});
