// The FAQ desk (/admin): import entries from a YAML file (admins; the box is shown by admin.js).
// The file is read in the browser and sent as text; the gateway imports every row or none and
// names each refused row as 文件:行: 第 n 条：原因, shown beside the button, one per line.
(function () {
  "use strict";
  var desk = window.Hukou.desk;
  var $ = desk.$, api = desk.api, say = desk.say;

  $("import-run").addEventListener("click", function () {
    var file = $("import-file").files[0], button = $("import-run"), error = $("import-error");
    error.textContent = "";
    if (!file) { error.textContent = "请先选择要导入的 YAML 文件。"; return; }
    button.disabled = true;
    file.arrayBuffer()
      .then(function (bytes) {
        try {
          return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
        } catch (e) {
          throw new Error(file.name + " 不是 UTF-8 编码的文本文件，请用 UTF-8 编码另存后再导入。");
        }
      })
      .then(function (text) { return api("POST", "/api/faq/import", { filename: file.name, text: text }); })
      .then(function (d) {
        $("import-file").value = "";
        desk.refreshList();
        say("已从 " + file.name + " 导入 " + d.created + " 条，请在条目列表中查看、审核。");
      })
      .catch(function (err) {
        // A 413 (file over the body limit) or a file that is not UTF-8 text comes here too.
        error.textContent = (err && err.message) || String(err);
      })
      .then(function () { button.disabled = false; });
  });
})();
