// The checklist page's two buttons. The page itself is rendered on the server; this only
// prints it (the browser's dialog also saves a PDF) and copies its link (dom.js copyText:
// the clipboard, or a selected field with "请按 Ctrl+C" over plain http).
(function () {
  "use strict";
  document.getElementById("print").addEventListener("click", function () { window.print(); });
  var actions = document.getElementById("actions");
  document.getElementById("copy").addEventListener("click", function () {
    window.Hukou.copyText(document.getElementById("link").textContent, actions);
  });
})();
