// One script tag embeds the assistant: <script src="https://<host>/static/embed.js" async></script>
(function () {
  "use strict";
  var base = (document.currentScript && new URL(document.currentScript.src).origin) || "";
  var frame = document.createElement("iframe");
  frame.src = base + "/";
  frame.title = "醴陵户籍政策助手";
  frame.style.cssText = "position:fixed;right:16px;bottom:16px;width:380px;height:640px;max-width:calc(100vw - 32px);max-height:calc(100vh - 32px);border:1px solid #ddd;border-radius:12px;box-shadow:0 4px 24px rgba(0,0,0,.18);z-index:2147483000;background:#ededed";
  document.body.appendChild(frame);
})();
