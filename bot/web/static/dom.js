// Shared by the widget, the staff page and the FAQ desk: build DOM nodes with text only.
// Text is always set with textContent, so no user or bot text is ever parsed as HTML.
(function () {
  "use strict";
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  // Copy text to the clipboard; where the browser gives no clipboard (plain http on another
  // host than localhost) or refuses, put the text in a read-only field inside `where`,
  // selected, with "请按 Ctrl+C" (长按 on a phone), so it can still be copied by hand.
  // `done` (optional) gets true when the clipboard took it.
  function copyText(text, where, done) {
    function byHand() {
      var old = where.querySelector(".copy-fallback");
      if (old) old.remove();
      var box = el("div", "copy-fallback");
      var field = el("input");
      field.type = "text"; field.readOnly = true; field.value = text;
      field.setAttribute("aria-label", "链接");
      box.appendChild(field);
      box.appendChild(el("span", "copy-hint", "已选中链接，请按 Ctrl+C 复制（手机上长按选择“复制”）"));
      where.appendChild(box);
      field.focus(); field.select();
      if (done) done(false);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () {
        var note = where.querySelector(".copy-done") || where.appendChild(el("span", "copy-done"));
        note.setAttribute("role", "status");
        note.textContent = "链接已复制";
        if (done) done(true);
      }, byHand);
    } else byHand();
  }
  window.Hukou = { el: el, copyText: copyText };
})();
