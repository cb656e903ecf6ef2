// The FAQ desk (/admin): 试问一下 beside the live preview. The editor's current question and
// other wordings (saved or not) are matched against the published entries, as the assistant's
// FAQ matcher would: for each typed wording, which entry answers it (score ≥ threshold), is only
// offered, or none; and for a saved entry how often it answered citizens and was marked 没用.
(function () {
  "use strict";
  var el = window.Hukou.el;
  var desk = window.Hukou.desk, state = desk.state;
  var $ = desk.$, api = desk.api;

  var VERDICTS = { answer: "会直接用", suggest: "只会作为候选推荐", none: "不会用任何条目回答" };

  function lines(text) { return text.split("\n").map(function (s) { return s.trim(); }).filter(Boolean); }

  function run() {
    var button = $("try-run");
    $("try-error").textContent = "";
    var wordings = lines($("try-wordings").value);
    if (!wordings.length) { $("try-error").textContent = "请至少输入一种问法（每行一个）。"; return; }
    button.disabled = true;
    var entry = state.current ? state.current.entry.id : null;
    api("POST", "/api/faq/try", {
      entry_id: entry, question: $("e-question").value,
      paraphrases: lines($("e-paraphrases").value), wordings: wordings.slice(0, 20)
    }).then(function (d) {
      var list = $("try-results");
      list.textContent = "";
      $("try-usage").textContent = d.usage
        ? "这个条目在保存期内回答了市民 " + d.usage.answered + " 次，其中 " + d.usage.not_useful + " 次被点了“没用”。"
        : "";
      d.results.forEach(function (r) {
        var item = el("li", r.reaches_this ? "hit" : "miss");
        item.appendChild(el("div", "text", r.wording));
        var best = r.matches[0];
        var verdict = r.reaches_this
          ? (r.verdict === "answer" ? "✓ 会用本条目回答" : "△ 本条目只会作为候选推荐")
          : "✗ " + (best ? VERDICTS[r.verdict] + "：" + best.question : "没有条目够接近，助手不会用常见问题回答");
        item.appendChild(el("div", "verdict", verdict));
        if (best) {
          item.appendChild(el("div", "muted", r.matches.map(function (m) {
            return (m.this ? "本条目" : "#" + m.entry_id) + " " + m.score.toFixed(2);
          }).join(" · ") + "（直接回答需 ≥ " + d.threshold + "，推荐需 ≥ " + d.suggest + "）"));
        }
        list.appendChild(item);
      });
    }).catch(function (err) { $("try-error").textContent = (err && err.message) || String(err); })
      .then(function () { button.disabled = false; });
  }

  $("try-run").addEventListener("click", run);
})();
