// The chain-gap map: an ECharts graph from the page's JSON block; a click loads the segment panel (htmx).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("chain-map");
    var source = document.getElementById("chain-map-data");
    if (!el || !source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    var chart = window.echarts.init(el);
    var words = data.labels || {};
    chart.setOption({
      tooltip: {
        formatter: function (p) {
          if (p.dataType !== "node") { return ""; }
          var d = p.data, esc = window.echarts.format.encodeHTML;
          var text = esc(d.name) + "：" + d.status + (d.action ? " · " + d.action : "") +
            "<br>" + esc(words.local || "") + " " + d.local + " · " + esc(words.importance || "") + " " + d.importance;
          if (d.leader) { text += "<br>" + esc(words.leader || "") + " " + esc(d.leader); }
          return text;
        }
      },
      series: [{
        type: "graph", layout: "none", roam: true, draggable: false,
        label: { show: true, position: "bottom", fontSize: 12 },
        edgeSymbol: ["none", "arrow"], edgeSymbolSize: 8,
        lineStyle: { color: "#6c757d", width: 1.5, curveness: 0.15, opacity: 0.8 },
        emphasis: { focus: "adjacency" },
        data: data.nodes, links: data.edges
      }]
    });
    chart.on("click", function (p) {
      if (p.dataType === "node" && window.htmx) {
        window.htmx.ajax("GET", p.data.url, { target: "#segment-panel", swap: "innerHTML" });
      }
    });
    window.addEventListener("resize", function () { chart.resize(); });
    // Ready once drawn (the entry animation over): clicks then land where the nodes are.
    chart.on("finished", function () { el.setAttribute("data-ready", "1"); });
  });
})();
