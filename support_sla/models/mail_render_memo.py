"""The acknowledgement's body checked and compiled once, not once per new ticket."""

from lxml import etree

from odoo import api, models, tools

# Set by the senders of a template to every new ticket (the acknowledgement): their
# bodies are checked and compiled once per source instead of once per e-mail.
QWEB_MEMO = "support_sla_qweb_memo"


class IrQweb(models.AbstractModel):
    _inherit = "ir.qweb"

    def _compile(self, template):
        # Odoo parses an e-mail template's body into a new element for each e-mail, so
        # its own cache (by view) never serves it: the code is generated and compiled
        # again. Keyed by the source itself, an edited template is a new key: nothing
        # to clear when a manager changes it.
        if self.env.context.get(QWEB_MEMO) and isinstance(template, etree._Element):
            keys = tuple(self.env.context.get(k) for k in self._get_template_cache_keys())
            return self._sla_compile_source(etree.tostring(template), keys, template)
        return super()._compile(template)

    @tools.ormcache("source", "keys", cache="templates")
    def _sla_compile_source(self, source, keys, template):
        return super()._compile(template)


class MailRenderMixin(models.AbstractModel):
    _inherit = "mail.render.mixin"

    @api.model
    def _has_unsafe_expression_template_qweb(self, template_src, model):
        # The check generates the body's code too (and builds an error to say no):
        # its answer depends only on the source and the model.
        if self.env.context.get(QWEB_MEMO):
            return self._sla_unsafe_source(template_src, model)
        return super()._has_unsafe_expression_template_qweb(template_src, model)

    @tools.ormcache("template_src", "model", cache="templates")
    def _sla_unsafe_source(self, template_src, model):
        return super()._has_unsafe_expression_template_qweb(template_src, model)
