// Render TeX to HTML with the pinned KaTeX, for the seminar decks (tools/make_slides.py).
// stdin: a JSON list of {"tex": "...", "display": true|false}; stdout: a JSON list of HTML
// strings. A formula KaTeX cannot parse is an error (exit 1, with the formula), so that a
// deck never shows raw TeX.
const katex = require("katex");
let input = "";
process.stdin.on("data", (d) => (input += d));
process.stdin.on("end", () => {
  const out = [];
  for (const item of JSON.parse(input)) {
    try {
      out.push(katex.renderToString(item.tex, {displayMode: !!item.display, throwOnError: true,
                                               output: "html", strict: "ignore"}));
    } catch (e) {
      process.stderr.write(`render_math: ${e.message}\n  in: ${item.tex}\n`);
      process.exit(1);
    }
  }
  process.stdout.write(JSON.stringify(out));
});
