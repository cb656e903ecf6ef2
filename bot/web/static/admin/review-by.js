// The FAQ desk (/admin): an entry's 复核日期, set under its history. From that day the entry is
// listed in the reviewers' 待我审核 (the policy itself expired in 2022: answers need checking).
(function () {
  "use strict";
  var desk = window.Hukou.desk, state = desk.state;
  var $ = desk.$, api = desk.api, say = desk.say;

  // The editor calls desk.renderHistory whenever it shows an entry: show its date too.
  var renderHistory = desk.renderHistory;
  desk.renderHistory = function () {
    renderHistory.apply(null, arguments);
    $("review-by").value = (state.current && state.current.entry.review_by) || "";
    $("review-by-error").textContent = "";
  };

  $("review-by-save").addEventListener("click", function () {
    var button = $("review-by-save");
    if (!state.current) return;
    $("review-by-error").textContent = "";
    button.disabled = true;
    api("PUT", "/api/faq/entries/" + state.current.entry.id + "/review-by", { review_by: $("review-by").value || null })
      .then(function (d) {
        desk.show(d, false);
        say(d.entry.review_by ? "复核日期已设为 " + d.entry.review_by + "。" : "已清除复核日期。");
        if (!$("tab-review").hidden) desk.loadReview();
      })
      .catch(function (err) { $("review-by-error").textContent = (err && err.message) || String(err); })
      .then(function () { button.disabled = false; });
  });
})();
