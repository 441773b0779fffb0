// The dashboard's charts (ECharts) from the page's JSON block; each can be saved as a picture (toolbox).
(function () {
  "use strict";
  var palette = ["#0d6efd", "#20c997", "#fd7e14", "#6f42c1", "#dc3545", "#198754", "#6c757d"];

  function toolbox(words) {
    return { right: 8, feature: { saveAsImage: { title: words.save, pixelRatio: 2, backgroundColor: "#fff" } } };
  }

  function draw(id, option, words, empty) {
    var el = document.getElementById(id);
    if (!el) { return null; }
    var chart = window.echarts.init(el);
    if (empty) {  // nothing to count in the filters and the scope: say so rather than draw bare axes
      option.title = { text: words.none, left: "center", top: "middle", textStyle: { color: "#6c757d", fontSize: 13 } };
      el.setAttribute("data-empty", "1");
    }
    option.toolbox = toolbox(words);
    option.color = palette;
    chart.setOption(option, true);
    chart.on("finished", function () { el.setAttribute("data-ready", "1"); });
    window.addEventListener("resize", function () { chart.resize(); });
    return chart;
  }

  function bars(names, values, name, horizontal) {
    var category = { type: "category", data: names, axisLabel: { interval: 0, fontSize: 11 } };
    var value = { type: "value" };
    if (horizontal) { category.inverse = true; }
    return {
      tooltip: { trigger: "axis" },
      grid: { left: horizontal ? 100 : 40, right: 16, top: 36, bottom: horizontal ? 24 : 60 },
      xAxis: horizontal ? value : Object.assign(category, { axisLabel: { interval: 0, rotate: 30, fontSize: 11 } }),
      yAxis: horizontal ? category : value,
      series: [{ type: "bar", name: name, data: values, label: { show: true, position: horizontal ? "right" : "top" } }]
    };
  }

  function ranking(data, key) {
    var words = data.words.words, groups = data.ranking[key] || {}, names = Object.keys(groups);
    var option = { title: [], grid: [], xAxis: [], yAxis: [], series: [], tooltip: { trigger: "axis" },
      legend: { top: 0, left: 0, data: [words.as_reported, words.confirmed] } };
    var height = 100 / Math.max(names.length, 1);
    names.forEach(function (group, i) {
      var rows = groups[group];
      var top = i * height;
      option.title.push({ text: group, left: 0, top: (top + 6) + "%", textStyle: { fontSize: 13 } });
      option.grid.push({ left: 40, right: 16, top: (top + 13) + "%", height: (height - 22) + "%" });
      option.xAxis.push({ gridIndex: i, type: "category", data: rows.map(function (r) { return r.unit; }),
        axisLabel: { interval: 0, fontSize: 11 } });
      option.yAxis.push({ gridIndex: i, type: "value", axisLabel: { formatter: "{value}%" } });
      var target = rows.length && rows[0].target !== null ? rows[0].target : null;
      option.series.push({ type: "bar", name: words.as_reported, xAxisIndex: i, yAxisIndex: i,
        data: rows.map(function (r) { return r.value; }), label: { show: true, position: "top", fontSize: 10 },
        markLine: target === null ? undefined : { symbol: "none", data: [{ yAxis: target, name: words.target }],
          label: { formatter: words.target + " {c}%" } } });
      option.series.push({ type: "bar", name: words.confirmed, xAxisIndex: i, yAxisIndex: i,
        data: rows.map(function (r) { return r.confirmed; }) });
    });
    if (!names.length) { option.title.push({ text: words.none, left: "center", top: "middle" }); }
    return option;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var source = document.getElementById("dashboard-data");
    if (!source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    var words = data.words.words, stages = data.words.stages, clusters = data.words.clusters;
    var rankChart = draw("chart-ranking", ranking(data, data.rank), words);
    var picker = document.getElementById("rank-indicator");
    if (picker && rankChart) {
      picker.addEventListener("change", function () {
        var el = document.getElementById("chart-ranking");
        el.setAttribute("data-ready", "0");
        el.setAttribute("data-indicator", picker.value);
        rankChart.setOption(Object.assign(ranking(data, picker.value), { toolbox: toolbox(words), color: palette }), true);
      });
      document.getElementById("chart-ranking").setAttribute("data-indicator", data.rank);
    }
    var chains = data.chains || [];
    draw("chart-chains", {
      tooltip: { trigger: "axis" }, legend: { bottom: 0, left: 0 },
      grid: { left: 40, right: 48, top: 40, bottom: 84 },
      xAxis: { type: "category", data: chains.map(function (c) { return c.chain; }), axisLabel: { interval: 0, rotate: 30 } },
      yAxis: [{ type: "value", name: words.projects }, { type: "value", name: words.planned }],
      series: [{ type: "bar", name: words.projects, data: chains.map(function (c) { return c.count; }) },
        { type: "bar", name: words.planned, yAxisIndex: 1,
          data: chains.map(function (c) { return Math.round(c.planned / 1000) / 10; }) }]
    }, words, !chains.length);
    var funnel = data.funnel || { stages: [] };
    draw("chart-funnel", {
      tooltip: { trigger: "item", formatter: "{b}: {c}" },
      series: [{ type: "funnel", sort: "none", top: 36, bottom: 8, left: "10%", width: "80%", minSize: "10%",
        label: { show: true, position: "inside", formatter: "{b} {c}" },
        data: funnel.stages.map(function (s) { return { name: stages[s.stage] || s.stage, value: s.count }; }) }]
    }, words, !funnel.total);
    draw("chart-clusters", {
      tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
      series: [{ type: "pie", radius: ["35%", "65%"], top: 24, label: { formatter: "{b}\n{c}" },
        data: (data.clusters || []).map(function (c) {
          return { name: c.key ? (clusters[c.key] || c.key) : words.other, value: c.count };
        }) }]
    }, words, !(data.clusters || []).length);
    var provinces = (data.provinces || []).slice(0, 12);
    draw("chart-provinces", bars(provinces.map(function (p) { return p.name || p.key || words.other; }),
      provinces.map(function (p) { return p.count; }), words.leads, true), words, !provinces.length);
    var days = data.stage_days || [];
    draw("chart-stage_days", bars(days.map(function (s) { return stages[s.stage] || s.stage; }),
      days.map(function (s) { return s.days; }), words.days, false), words,
      !days.some(function (s) { return s.n > 0; }));
    var overdue = (data.overdue || []).slice(0, 15);
    draw("chart-overdue", bars(overdue.map(function (o) { return o.unit; }),
      overdue.map(function (o) { return o.count; }), words.problems, true), words, !overdue.length);
    if (data.officers) {
      draw("chart-officers", bars(data.officers.map(function (o) { return o.name; }),
        data.officers.map(function (o) { return o.count; }), words.contacts, true), words, !data.officers.length);
    }
  });
})();
