// The wall's leads panel: open tips and complaints, and how many are past their due date
// (the follow-up check raises each level; the wall's `leads` section holds the open ones).

import { el, fill, t } from "./common.js";

export function renderLeads(root, wall) {
  const body = root.querySelector("#leads .body");
  if (!body) return;
  const leads = Object.values(wall.leads || {});
  const overdue = leads.filter((lead) => lead.level > 0);
  const escalated = overdue.filter((lead) => lead.level > 1);
  fill(
    body,
    el(
      "div",
      { class: "lead-counts" },
      el("span", { class: "lead-open" }, t("wall.leads_open"), " ", el("b", { id: "leads-open" }, leads.length)),
      " ",
      el(
        "span",
        { class: overdue.length ? "lead-overdue hot" : "lead-overdue" },
        t("wall.leads_overdue"),
        " ",
        el("b", { id: "leads-overdue" }, overdue.length),
      ),
      escalated.length ? el("span", { class: "lead-escalated" }, ` · ${t("wall.leads_escalated")} ${escalated.length}`) : null,
    ),
  );
}
