// The policy's full text (/policy), read-only: the stored text exactly as it is, with its
// published metadata above it. All text is set with textContent, never parsed as HTML.
(function () {
  "use strict";
  var el = window.Hukou.el;

  function row(dl, name, value) {
    if (!value) return;
    dl.appendChild(el("dt", null, name));
    dl.appendChild(el("dd", null, value));
  }

  function render(p) {
    document.title = p.title + "（" + p.doc_no + "）— 政策原文";
    document.getElementById("title").textContent = p.title;
    document.getElementById("doc-no").textContent = p.doc_no;
    var dl = document.getElementById("meta");
    row(dl, "发文机关", p.issuer);
    row(dl, "文号", p.doc_no);
    row(dl, "索引号", p.index_no);
    row(dl, "成文日期", p.signed);
    row(dl, "发布日期", p.published);
    row(dl, "生效日期", p.effective);
    row(dl, "失效日期", p.expires);
    row(dl, "现状", p.status_label);
    row(dl, "信息来源", p.source_office);
    // The text is shown as stored: white-space: pre-wrap keeps its lines and spaces.
    document.getElementById("fulltext").textContent = p.text;
  }

  document.getElementById("print").addEventListener("click", function () { window.print(); });

  fetch("/api/policy/text")
    .then(function (r) { if (!r.ok) throw new Error(); return r.json(); })
    .then(render)
    .catch(function () { document.getElementById("empty").textContent = "政策原文暂时无法加载，请稍后刷新页面。"; });
})();
