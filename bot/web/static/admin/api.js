// The FAQ desk (/admin), part 1 of 6: the page's shared state, its messages and the API
// (one fetch wrapper: CSRF token, one retry after a sign-in in another tab, 401 → signed out).
// The parts share window.Hukou.desk; each puts its functions there for the parts after it.
(function () {
  "use strict";
  var el = window.Hukou.el;
  function $(id) { return document.getElementById(id); }
  var CSRF_EXPIRED = "页面已过期，请刷新后重试";

  var state = {
    user: null, csrf: "", statuses: {}, roles: {}, lastUser: null,
    clauses: [], clauseById: {},
    current: null,   // the open entry: {entry, versions, audit, actions}
    loaded: null,    // the content the form was filled with (to tell unsaved changes; editor.js)
    base: null,      // the revision that content is based on (sent with every change)
    chosen: []       // the cited clause ids, in the order they were chosen
  };
  var desk = window.Hukou.desk = { $: $, state: state };

  // -- messages -------------------------------------------------------------------------

  function showError(message, buttons) {
    var box = $("alert");
    box.textContent = "";
    if (!message) return;
    box.appendChild(el("div", null, message));
    (buttons || []).forEach(function (b) {
      var btn = el("button", null, b.label);
      btn.type = "button";
      btn.addEventListener("click", b.onClick);
      box.appendChild(btn);
    });
  }
  function clearError() { $("alert").textContent = ""; }
  function failed(err) { showError((err && err.message) || String(err)); }
  var sayTimer = null;
  function say(message) {
    $("status").textContent = message;
    clearTimeout(sayTimer);
    sayTimer = setTimeout(function () { $("status").textContent = ""; }, 8000);
  }
  function when(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) return "";
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return d.getFullYear() + "-" + two(d.getMonth() + 1) + "-" + two(d.getDate()) + " " + two(d.getHours()) + ":" + two(d.getMinutes());
  }
  // -- the API --------------------------------------------------------------------------

  function ApiError(status, body) {
    this.status = status;
    this.body = body || {};
    this.message = this.body.detail || "请求失败（" + status + "），请稍后再试。";
  }

  function api(method, path, body, retried) {
    var headers = { "Accept": "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (method !== "GET") headers["X-CSRF-Token"] = state.csrf;
    return fetch(path, {
      method: method, headers: headers, credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (r.ok) return data;
        if (r.status === 403 && data.detail === CSRF_EXPIRED && !retried) {
          // Signed in again in another tab: take this browser's current token and retry once.
          return fetch("/api/faq/me", { credentials: "same-origin" })
            .then(function (m) { return m.ok ? m.json() : null; })
            .then(function (me) {
              if (!me) { desk.signedOut("登录已过期，请重新登录。您填写的内容仍在页面上。"); throw new ApiError(401, { detail: "登录已过期，请重新登录" }); }
              state.csrf = me.csrf;
              return api(method, path, body, true);
            });
        }
        if (r.status === 401 && path !== "/api/faq/login") {
          desk.signedOut((data.detail || "登录已过期") + "。重新登录后，编辑区里未保存的内容仍在。");
        }
        throw new ApiError(r.status, data);
      });
    }, function () {
      throw new ApiError(0, { detail: "无法连接服务器，请检查网络后重试。您填写的内容仍在页面上。" });
    });
  }

  // -- a list item's buttons, with their errors beside them ------------------------------

  // An error goes beside the control that caused it, not to the top of the page, where an
  // officer 500 px below would not see it. Each spec is [label, function (button, error)].
  function itemButtons(specs) {
    var box = el("div", "buttons"), error = el("span", "field-error");
    error.setAttribute("role", "alert");
    specs.forEach(function (spec) {
      var button = el("button", null, spec[0]);
      button.type = "button";
      button.addEventListener("click", function () { error.textContent = ""; spec[1](button, error); });
      box.appendChild(button);
    });
    box.appendChild(error);
    return box;
  }
  // A request's failure shown in ``error``; the button that sent it works again.
  function besides(error, button) {
    return function (err) { error.textContent = (err && err.message) || String(err); if (button) button.disabled = false; };
  }

  desk.showError = showError; desk.clearError = clearError; desk.failed = failed; desk.say = say; desk.when = when;
  desk.ApiError = ApiError; desk.api = api; desk.itemButtons = itemButtons; desk.besides = besides;
})();
