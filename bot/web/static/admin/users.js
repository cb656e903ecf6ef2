// The FAQ desk (/admin), part 5 of 6: accounts, for admins (add, role, 停用/启用, 重设密码).
(function () {
  "use strict";
  var el = window.Hukou.el;
  var desk = window.Hukou.desk, state = desk.state;
  var $ = desk.$, api = desk.api, failed = desk.failed, clearError = desk.clearError;
  var say = desk.say, when = desk.when;

  // -- accounts (admins) --------------------------------------------------------------

  function fillRoles() {
    var select = $("u-role");
    if (select.options.length) return;
    Object.keys(state.roles).forEach(function (k) { select.appendChild(new Option(state.roles[k], k)); });
  }

  function loadUsers() {
    api("GET", "/api/faq/users").then(function (d) {
      var body = $("users");
      body.textContent = "";
      d.users.forEach(function (u) {
        var tr = el("tr");
        tr.appendChild(el("td", null, u.username));
        tr.appendChild(el("td", null, u.role_name));
        tr.appendChild(el("td", null, u.active ? "启用" : "已停用"));
        tr.appendChild(el("td", null, when(u.created_at)));
        // Someone guessing this account's password shows here (the last 24 hours).
        tr.appendChild(el("td", null, u.failed_sign_ins
          ? u.failed_sign_ins + " 次（" + u.failed_clients + " 个地址），最近 " + when(u.last_failed_at)
          : "无"));
        tr.appendChild(userActions(u));
        body.appendChild(tr);
      });
    }).catch(failed);
  }

  // Role, 停用/启用 and 重设密码 for each account; the server refuses changes to one's own
  // admin role or account (the message is shown).
  function changeUser(u, change, done) {
    clearError();
    api("PATCH", "/api/faq/users/" + encodeURIComponent(u.username), change)
      .then(function (changed) { say(done + "：" + changed.username); loadUsers(); })
      .catch(failed);
  }

  function userActions(u) {
    var cell = el("td", "user-actions");
    var role = el("select");
    role.setAttribute("aria-label", u.username + " 的角色");
    Object.keys(state.roles).forEach(function (k) {
      var option = new Option(state.roles[k], k);
      option.selected = k === u.role;
      role.appendChild(option);
    });
    role.addEventListener("change", function () { changeUser(u, { role: role.value }, "已修改角色"); });
    cell.appendChild(role);
    var toggle = el("button", null, u.active ? "停用" : "启用");
    toggle.type = "button";
    toggle.addEventListener("click", function () {
      changeUser(u, { active: !u.active }, u.active ? "已停用" : "已启用");
    });
    cell.appendChild(toggle);
    var reset = el("button", null, "重设密码");
    reset.type = "button";
    reset.addEventListener("click", function () {
      // An inline password field (never shown as text); Enter or 确定 sets it.
      var form = el("form", "reset-form");
      var input = el("input");
      input.type = "password"; input.autocomplete = "new-password"; input.maxLength = 256;
      input.setAttribute("aria-label", "为 " + u.username + " 设置新密码（至少 10 个字符）");
      input.placeholder = "新密码（至少 10 个字符）";
      var ok = el("button", null, "确定");
      ok.type = "submit";
      form.appendChild(input); form.appendChild(ok);
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        changeUser(u, { password: input.value }, "已重设密码");
      });
      cell.replaceChild(form, reset);
      input.focus();
    });
    cell.appendChild(reset);
    return cell;
  }

  $("user-form").addEventListener("submit", function (event) {
    event.preventDefault();
    clearError();
    api("POST", "/api/faq/users", { username: $("u-name").value, password: $("u-password").value, role: $("u-role").value })
      .then(function (u) {
        $("u-name").value = ""; $("u-password").value = "";
        say("已新建账号 " + u.username + "（" + u.role_name + "）");
        loadUsers();
      }).catch(failed);
  });

  desk.fillRoles = fillRoles; desk.loadUsers = loadUsers;
})();
