// The FAQ desk's "政策文件" box: the policy documents (GET /api/policies) with their status and
// dates, and the reminders — the document in use is past its expiry, or a document's last
// check is older than the set number of months. Read-only; text is set with textContent.
(function () {
  "use strict";
  var el = window.Hukou.el;
  var STANDING = { not_yet: "尚未生效", in_force: "在有效期内", expired: "已过失效日期" };

  function cell(row, text) { row.appendChild(el("td", null, text)); }

  function show(data) {
    var reminders = document.getElementById("policy-reminders");
    var rows = document.getElementById("policy-rows");
    reminders.textContent = ""; rows.textContent = "";
    data.reminders.forEach(function (text) { reminders.appendChild(el("li", null, text)); });
    if (!data.reminders.length) {
      reminders.appendChild(el("li", "ok", "所有文件都在 " + data.check_every_months + " 个月内核查过。"));
    }
    data.documents.forEach(function (d) {
      var row = el("tr");
      cell(row, d.title + "（" + (d.doc_no || "无文号") + "）");
      cell(row, d.kind_label);
      // The dates' verdict only where the checked status does not already say it.
      var same = d.status === "expired" || d.standing === "in_force";
      cell(row, d.status_label + (same ? "" : "；" + STANDING[d.standing]));
      cell(row, "生效 " + d.effective_text);
      cell(row, "失效 " + (d.expires || "未标注"));
      cell(row, "核查 " + d.last_checked);
      rows.appendChild(row);
    });
    document.getElementById("policy-summary").textContent = "文件清单（" + data.documents.length + " 份）";
    document.getElementById("policies").hidden = false;
  }

  fetch("/api/policies")
    .then(function (r) { if (!r.ok) throw new Error(); return r.json(); })
    .then(show)
    .catch(function () { /* the desk works without the box; the CLI lists the same */ });
})();
