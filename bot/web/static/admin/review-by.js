// The FAQ desk (/admin): an entry's schedule, under its history. 复核日期: from that day the
// entry is listed in the reviewers' 待我审核 (the policy itself expired in 2022: answers need
// checking). 定时发布: an approved entry is published at a time (China time) by the gateway.
(function () {
  "use strict";
  var desk = window.Hukou.desk, state = desk.state;
  var $ = desk.$, api = desk.api, say = desk.say;

  // The editor calls desk.renderHistory whenever it shows an entry: show its date too.
  var renderHistory = desk.renderHistory;
  desk.renderHistory = function () {
    renderHistory.apply(null, arguments);
    var e = state.current && state.current.entry;
    $("review-by").value = (e && e.review_by) || "";
    $("review-by-error").textContent = ""; $("publish-at-error").textContent = "";
    $("publish-at").value = e && e.publish_at ? chinaLocal(e.publish_at) : "";
    $("publish-at-cancel").hidden = !(e && e.publish_at);
    $("publish-at-note").textContent = e && e.publish_at
      ? "已定于北京时间 " + chinaLocal(e.publish_at).replace("T", " ") + " 发布第 " + e.version + " 版；之后修改条目，定时即作废。"
      : "审核通过的条目可以定时发布（北京时间）；定时之后再修改条目，定时即作废。";
  };

  // "2026-03-01T01:00:00+00:00" → "2026-03-01T09:00" (the datetime-local value, China time).
  function chinaLocal(iso) {
    var d = new Date(new Date(iso).getTime() + 8 * 3600 * 1000);
    return d.toISOString().slice(0, 16);
  }

  function schedule(value, button) {
    if (!state.current) return;
    $("publish-at-error").textContent = "";
    button.disabled = true;
    api("PUT", "/api/faq/entries/" + state.current.entry.id + "/schedule", { publish_at: value })
      .then(function (d) {
        desk.show(d, false);
        say(value ? "已定时发布。" : "已取消定时发布。");
      })
      .catch(function (err) { $("publish-at-error").textContent = (err && err.message) || String(err); })
      .then(function () { button.disabled = false; });
  }
  $("publish-at-save").addEventListener("click", function () {
    if (!$("publish-at").value) { $("publish-at-error").textContent = "请先选择发布时间。"; return; }
    schedule($("publish-at").value, $("publish-at-save"));
  });
  $("publish-at-cancel").addEventListener("click", function () { schedule(null, $("publish-at-cancel")); });

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
