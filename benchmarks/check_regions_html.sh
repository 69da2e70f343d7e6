#!/usr/bin/env bash
# Look at the interactive sphere (`boolnet plot regions --n 2 -o sphere.html`) in a real headless browser.
#
#   bash benchmarks/check_regions_html.sh [OUTDIR]      (default OUTDIR: a new folder under /tmp)
#
# Writes OUTDIR/sphere.html, OUTDIR/sphere.png (the page as loaded) and OUTDIR/hover.png (the same page with a
# mouse move dispatched onto the sphere, so plotly's hover box shows a region's function, half-spaces and
# shares). Open the two PNGs and look at them. Needs chromium (Debian: apt-get install chromium); without it the
# script says so and exits 0 (tests/test_plots_regions.py skips its browser test the same way).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-$(mktemp -d /tmp/boolnet_regions_html.XXXXXX)}
mkdir -p "$out"
browser=""
for name in chromium chromium-browser google-chrome google-chrome-stable; do
    if command -v "$name" >/dev/null 2>&1; then browser=$(command -v "$name"); break; fi
done
if [ -z "$browser" ]; then
    echo "skipped: no chromium binary (apt-get install chromium)"
    exit 0
fi
boolnet plot regions --n 2 --kind html -o "$out/sphere.html"
python - "$out" <<'EOF'
import sys
from pathlib import Path

out = Path(sys.argv[1])
page = (out / "sphere.html").read_text(encoding="utf-8")
hover = """<script>
window.addEventListener('load', function () {
  setTimeout(function () {
    var c = document.querySelector('.gl-container canvas') || document.querySelector('canvas');
    [0, 1].forEach(function (dx, k) { setTimeout(function () {
      ['mousemove', 'pointermove'].forEach(function (t) {
        c.dispatchEvent(new MouseEvent(t, {clientX: 470 + dx, clientY: 470, bubbles: true})); });
    }, 500 * k); });
  }, 1500);
});
</script></body>"""
(out / "hover.html").write_text(page.replace("</body>", hover), encoding="utf-8")
EOF
flags=(--headless --no-sandbox --disable-gpu --enable-unsafe-swiftshader --window-size=1200,900
       --virtual-time-budget=10000)
"$browser" "${flags[@]}" --screenshot="$out/sphere.png" "file://$out/sphere.html" 2>/dev/null
"$browser" "${flags[@]}" --screenshot="$out/hover.png" "file://$out/hover.html" 2>/dev/null
rm -f "$out/hover.html"
echo "look at: $out/sphere.png $out/hover.png"
