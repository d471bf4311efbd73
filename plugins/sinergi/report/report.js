// The report's only script: sorts a table by the clicked column (a cell's data-sort or
// its text) and opens the drill-down tables for printing.
document.querySelectorAll('table.sortable').forEach(function (table) {
  table.querySelectorAll('th').forEach(function (th, col) {
    th.addEventListener('click', function () {
      var body = table.tBodies[0], rows = Array.from(body.rows);
      var dir = th.dataset.dir === 'asc' ? -1 : 1; th.dataset.dir = dir === 1 ? 'asc' : 'desc';
      function key(row) { var c = row.cells[col]; var s = c.dataset.sort;
        return s !== undefined ? parseFloat(s) : c.textContent.trim().toLowerCase(); }
      rows.sort(function (a, b) { var x = key(a), y = key(b);
        return (x > y ? 1 : x < y ? -1 : 0) * dir; });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
});

// Printing (or saving as PDF) shows every institution table, not only the open ones.
window.addEventListener('beforeprint', function () {
  document.querySelectorAll('details').forEach(function (d) { d.open = true; });
});
