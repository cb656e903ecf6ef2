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
  window.Hukou = { el: el };
})();
