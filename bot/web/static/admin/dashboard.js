// The FAQ desk (/admin): the 统计 tab. Questions per day and week, outcome shares, topics,
// clauses and FAQ entries with their 没用 rate, over a date range; every table downloads as CSV.
// Charts are Apache ECharts, served by the gateway (/static/vendor/echarts, loaded on first
// use); tooltips are drawn in the canvas ("richText"), since the page's CSP refuses the inline
// styles of HTML tooltips. Every figure is also in a table below its chart.
(function () {
  "use strict";
  var el = window.Hukou.el;
  var desk = window.Hukou.desk;
  var $ = desk.$, api = desk.api;

  var ECHARTS = "/static/vendor/echarts/echarts.common.min.js";
  var COLORS = { answered: "#1f7a3f", asked_more: "#1f4e8c", fallback: "#c77700", out_of_scope: "#8a8f98" };
  var OUTCOMES = ["answered", "asked_more", "fallback", "out_of_scope"];
  var TITLES = { weekly: "每周提问", outcomes: "回答结果", topics: "提问主题", clauses: "条款：引用次数与没用率",
    entries: "常见问题命中次数与没用率", daily: "每日提问", publishes: "发布效果（发布前后各 14 天）" };
  var ORDER = ["entries", "clauses", "publishes", "topics", "weekly", "outcomes", "daily"];
  var charts = {}, loading = null, last = null;

  function loadECharts() {
    if (window.echarts) return Promise.resolve(window.echarts);
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = ECHARTS;
        script.onload = function () { resolve(window.echarts); };
        script.onerror = function () { loading = null; reject(new Error("图表组件加载失败，请刷新页面重试。")); };
        document.head.appendChild(script);
      });
    }
    return loading;
  }

  function pct(x) { return x === null || x === undefined ? "—" : (Math.round(x * 1000) / 10) + "%"; }

  function query() {
    var q = [];
    if ($("d-start").value) q.push("start=" + encodeURIComponent($("d-start").value));
    if ($("d-end").value) q.push("end=" + encodeURIComponent($("d-end").value));
    return q.length ? "?" + q.join("&") : "";
  }

  function loadDashboard() {
    $("range-error").textContent = "";
    return Promise.all([api("GET", "/api/faq/dashboard" + query()), loadECharts()]).then(function (r) {
      last = r[0];
      $("d-start").value = last.start; $("d-end").value = last.end;
      drawCards(last);
      drawCharts(r[1], last);
      drawTables(last);
    }).catch(function (err) { $("range-error").textContent = (err && err.message) || String(err); });
  }

  function drawCards(d) {
    var box = $("cards");
    box.textContent = "";
    function card(label, value, cls) {
      var c = el("div", "card" + (cls ? " " + cls : ""));
      c.appendChild(el("div", "value", value));
      c.appendChild(el("div", "label", label));
      box.appendChild(c);
    }
    card("提问总数", d.questions);
    d.outcomes.forEach(function (o) { card(o.outcome_name + "占比", pct(o.share), o.outcome); });
  }

  function chart(echarts, id) {
    if (!charts[id]) charts[id] = echarts.init($(id), null, { renderer: "canvas" });
    return charts[id];
  }

  var TOOLTIP = { renderMode: "richText", confine: true };
  var GRID = { left: 8, right: 16, top: 36, bottom: 8, containLabel: true };

  function narrowBars() { return $("chart-topics").clientWidth < 480; }

  function bars(rows, label, value) {
    var top = rows.slice(0, 10).reverse();
    return {
      tooltip: TOOLTIP, grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: top.map(label),
        axisLabel: { width: narrowBars() ? 90 : 140, overflow: "truncate" } },
      series: [{ type: "bar", data: top.map(value), itemStyle: { color: "#1f4e8c" }, barMaxWidth: 18 }]
    };
  }

  function drawCharts(echarts, d) {
    var empty = { title: { text: "这段时间没有提问", left: "center", top: "middle", textStyle: { fontSize: 14, color: "#666" } } };
    var days = d.daily.map(function (r) { return r.day.slice(5); });
    chart(echarts, "chart-daily").setOption(d.daily.length ? {
      tooltip: Object.assign({ trigger: "axis" }, TOOLTIP), legend: { top: 0 }, grid: GRID,
      xAxis: { type: "category", data: days }, yAxis: { type: "value", minInterval: 1 },
      series: OUTCOMES.map(function (o) {
        return { name: d.outcomes[OUTCOMES.indexOf(o)].outcome_name, type: "bar", stack: "all",
          itemStyle: { color: COLORS[o] }, data: d.daily.map(function (r) { return r[o]; }) };
      })
    } : empty, true);
    // On a phone the names go to the legend and the shares inside the ring: outside labels
    // would be cut off at 360 px.
    var narrow = $("chart-outcomes").clientWidth < 480;
    chart(echarts, "chart-outcomes").setOption(d.questions ? {
      tooltip: TOOLTIP, legend: narrow ? { bottom: 0 } : { show: false },
      series: [{ type: "pie", radius: narrow ? ["30%", "68%"] : ["35%", "65%"],
        label: narrow ? { position: "inside", formatter: "{d}%", color: "#fff" } : { formatter: "{b}\n{d}%" },
        data: d.outcomes.map(function (o) { return { name: o.outcome_name, value: o.questions, itemStyle: { color: COLORS[o.outcome] } }; }) }]
    } : empty, true);
    chart(echarts, "chart-topics").setOption(d.topics.length ?
      bars(d.topics, function (r) { return r.topic; }, function (r) { return r.questions; }) : empty, true);
    chart(echarts, "chart-clauses").setOption(d.clauses.length ?
      bars(d.clauses, function (r) { return r.label + " " + r.title; }, function (r) { return r.answers; }) : empty, true);
    Object.keys(charts).forEach(function (id) { charts[id].resize(); });
  }

  function cell(key, value) {
    if (key === "share" || key === "not_useful_rate" || key === "fallback_before" || key === "fallback_after") return pct(value);
    return value === null || value === undefined || value === "" ? "—" : String(value);
  }

  function drawTables(d) {
    var box = $("tables");
    box.textContent = "";
    ORDER.forEach(function (name) {
      var rows = d[name], cols = d.columns[name];
      var section = el("section", "table-block");
      var head = el("div", "table-head");
      head.appendChild(el("h3", null, TITLES[name]));
      var link = el("a", "csv", "导出 CSV");
      link.href = "/api/faq/dashboard/" + name + ".csv" + query();
      link.setAttribute("download", "");
      head.appendChild(link);
      section.appendChild(head);
      var wrap = el("div", "scroll");
      var table = el("table", "figures");
      var tr = el("tr");
      cols.forEach(function (c) { tr.appendChild(el("th", null, c[1])).setAttribute("scope", "col"); });
      table.appendChild(el("thead")).appendChild(tr);
      var body = el("tbody");
      if (!rows.length) {
        var none = el("td", "muted", "没有数据");
        none.colSpan = cols.length;
        body.appendChild(el("tr")).appendChild(none);
      }
      rows.forEach(function (r) {
        var row = el("tr");
        cols.forEach(function (c) {
          var td = el("td", typeof r[c[0]] === "number" ? "num" : null, cell(c[0], r[c[0]]));
          if (c[0] === "not_useful_rate" && r.not_useful_rate >= 0.3 && r.rated >= 3) td.className += " high";
          row.appendChild(td);
        });
        body.appendChild(row);
      });
      table.appendChild(body);
      wrap.appendChild(table);
      section.appendChild(wrap);
      box.appendChild(section);
    });
  }

  function isoDay(date) { return new Date(date.getTime() - date.getTimezoneOffset() * 60000).toISOString().slice(0, 10); }

  $("range").addEventListener("submit", function (event) { event.preventDefault(); loadDashboard(); });
  Array.prototype.forEach.call($("range").querySelectorAll("[data-days]"), function (button) {
    button.addEventListener("click", function () {
      var end = new Date(), start = new Date();
      start.setDate(end.getDate() - Number(button.getAttribute("data-days")) + 1);
      $("d-start").value = isoDay(start); $("d-end").value = isoDay(end);
      loadDashboard();
    });
  });
  var resizing = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(function () { Object.keys(charts).forEach(function (id) { charts[id].resize(); }); }, 150);
  });

  desk.loadDashboard = loadDashboard;
})();
