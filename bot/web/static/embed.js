// One script tag embeds the assistant in another site:
//   <script src="https://<host>/static/embed.js" async></script>
// It adds a round "政策咨询" button at the bottom right; the button opens and closes the chat
// in an iframe served by the assistant's own host (no cookies or scripts shared with the site).
(function () {
  "use strict";
  if (document.getElementById("hukou-launcher")) return;
  var base = (document.currentScript && new URL(document.currentScript.src).origin) || "";
  var button = document.createElement("button");
  button.id = "hukou-launcher";
  button.type = "button";
  button.textContent = "政策咨询";
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-controls", "hukou-frame");
  button.style.cssText = "position:fixed;right:16px;bottom:16px;z-index:2147483001;border:none;border-radius:24px;padding:12px 18px;background:#07c160;color:#fff;font-size:16px;box-shadow:0 2px 12px rgba(0,0,0,.25);cursor:pointer";
  var frame = null;
  button.addEventListener("click", function () {
    if (!frame) {
      frame = document.createElement("iframe");
      frame.id = "hukou-frame";
      frame.src = base + "/";
      frame.title = "醴陵户籍政策助手";
      frame.style.cssText = "position:fixed;right:16px;bottom:76px;width:380px;height:600px;max-width:calc(100vw - 32px);max-height:calc(100vh - 96px);border:1px solid #ddd;border-radius:12px;box-shadow:0 4px 24px rgba(0,0,0,.18);z-index:2147483000;background:#ededed";
      document.body.appendChild(frame);
    } else {
      frame.hidden = !frame.hidden;
    }
    var open = !frame.hidden;
    button.setAttribute("aria-expanded", open ? "true" : "false");
    button.textContent = open ? "关闭咨询" : "政策咨询";
  });
  document.body.appendChild(button);
})();
