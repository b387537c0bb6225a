import {registry} from "@web/core/registry";

/**
 * A portal customer opens its SLA report from /my, picks a month and finds its PDF.
 */
registry.category("web_tour.tours").add("support_sla_report_tour", {
    url: "/my",
    steps: () => [
        {
            content: "The SLA Report card on /my",
            trigger: "a[href='/my/sla']",
            run: "click",
        },
        {
            content: "The charts: met and breached per month",
            trigger: "#support_sla_report .o_sla_report_charts svg",
        },
        {
            content: "Open last month from the table of the last 12 months",
            trigger: "table[name='sla_report_months'] tbody tr:nth-child(2) a",
            run: "click",
        },
        {
            content: "Last month's table, per priority: the P1 tickets",
            trigger: "#support_sla_report .o_sla_report_table td:contains(P1)",
        },
        {
            content: "The month has its PDF",
            trigger: "a[name='sla_report_pdf'][href*='/my/sla/pdf?month=']",
        },
    ],
});
