// The FAQ desk (/admin): sign in, write entries with a live preview, review, publish.
// This is the last of its scripts (admin.html loads them in order, no bundler): signing in and
// out, the tabs and the start. admin/api.js holds the shared state and the API; admin/editor.js
// the entries pane; admin/history.js, admin/unanswered.js and admin/users.js the rest.
// Every text from the server or typed by staff is set with textContent (window.Hukou.el),
// never parsed as HTML. Unsaved text is never thrown away by the page: a conflict, an expired
// session or a failed request leaves the editor as it was.
(function () {
  "use strict";
  var desk = window.Hukou.desk, state = desk.state;
  var $ = desk.$, api = desk.api, failed = desk.failed, showError = desk.showError, clearError = desk.clearError;
  var say = desk.say;
  var fillStatusFilter = desk.fillStatusFilter, refreshList = desk.refreshList, loadClauses = desk.loadClauses;
  var isDirty = desk.isDirty, fill = desk.fill, newEntry = desk.newEntry, reloadCurrent = desk.reloadCurrent;
  var loadGroups = desk.loadGroups, fillRoles = desk.fillRoles, loadUsers = desk.loadUsers, EMPTY = desk.EMPTY;

  var tab = "entries";

  // -- signing in and out ---------------------------------------------------------------

  function signedIn(data) {
    state.user = data.user; state.csrf = data.csrf;
    state.statuses = data.statuses; state.roles = data.roles;
    $("who-name").textContent = data.user.role_name + "：" + data.user.username;
    $("who").hidden = false; $("login").hidden = true; $("desk").hidden = false;
    $("tab-users").hidden = $("import-box").hidden = data.user.role !== "admin";
    if (data.user.role !== "admin" && tab === "users") selectTab("entries");
    fillStatusFilter(); fillRoles();
    var sameUser = state.lastUser === data.user.username;
    state.lastUser = data.user.username;
    // What citizens asked (statistics, 复核) is for reviewers and admins, who land on their queue.
    var judges = data.user.role === "reviewer" || data.user.role === "admin";
    $("tab-review").hidden = $("tab-dashboard").hidden = $("recheck").hidden = !judges;
    if (!judges && (tab === "review" || tab === "dashboard")) selectTab("entries");
    if (judges && !sameUser) selectTab("review");
    // Another user: start afresh at once, not when the clause list has loaded — on a slow
    // server that wiped what they had begun to type (a CI run caught it: 问题不能为空).
    if (!sameUser) newEntry(true);
    loadClauses().then(function () {
      refreshList();
      if (sameUser && state.current) reloadCurrent(false);
      if (tab === "unanswered") loadGroups();
      if (tab === "users") loadUsers();
      if (judges && tab !== "review") desk.loadReview();
    });
  }

  function signedOut(message) {
    state.user = null; state.csrf = "";
    $("who").hidden = true; $("desk").hidden = true; $("login").hidden = false;
    $("password").value = "";
    if (message) showError(message);
    $("username").focus();
  }

  $("login-form").addEventListener("submit", function (event) {
    event.preventDefault();
    clearError();
    var button = $("login-button");
    button.disabled = true;
    api("POST", "/api/faq/login", { username: $("username").value, password: $("password").value })
      .then(function (data) { $("password").value = ""; signedIn(data); say("已登录：" + data.user.username); })
      .catch(function (err) { failed(err); $("password").select(); })
      .then(function () { button.disabled = false; });
  });

  $("logout").addEventListener("click", function () {
    if (isDirty()) { showError("编辑区有未保存的修改：请先保存，或点“放弃修改”后再退出。"); return; }
    api("POST", "/api/faq/logout").then(function () {
      state.current = null; state.lastUser = null;
      signedOut("");
      say("已退出");
    }).catch(failed);
  });
  // -- tabs ---------------------------------------------------------------------------

  function selectTab(name) {
    tab = name;
    TABS.forEach(function (t) {
      $("tab-" + t).setAttribute("aria-selected", t === name ? "true" : "false");
      $("pane-" + t).hidden = t !== name;
    });
    if (name === "unanswered") { loadGroups(); if (!$("recheck").hidden) desk.loadReview(); }
    if (name === "users") loadUsers();
    if (name === "review") desk.loadReview();
    if (name === "dashboard") desk.loadDashboard();
  }
  var TABS = ["review", "entries", "unanswered", "dashboard", "users"];
  TABS.forEach(function (t) {
    $("tab-" + t).addEventListener("click", function () { selectTab(t); });
  });
  // -- start: a reloaded page keeps its session ---------------------------------------

  fetch("/api/faq/me", { credentials: "same-origin" })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (me) { if (me) signedIn(me); else signedOut(""); })
    .catch(function () { signedOut("无法连接服务器，请稍后刷新页面。"); });
  fill(EMPTY);

  desk.signedOut = signedOut; desk.selectTab = selectTab;
})();
