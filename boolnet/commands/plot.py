"""``boolnet plot regions``: pictures of the n = 2 perceptron's parameter space (:mod:`boolnet.plots.regions`)."""

from __future__ import annotations

import sys

HELP = "draw the n = 2 perceptron's parameter sphere or cube coloured by function (PNG), or an interactive page (HTML)"

KINDS = ("sphere", "cube", "html")


def add_arguments(parser):
    from boolnet.functions import ENCODINGS  # numpy only
    from boolnet.priors import PRIORS

    parser.add_argument("what", choices=("regions",),
                        help="regions: each function's region of parameter space, labelled with its exact share")
    parser.add_argument("--n", type=int, required=True,
                        help="number of inputs; only 2 can be drawn (3 parameters: a sphere S^2 or a cube)")
    parser.add_argument("--kind", choices=KINDS, default=None,
                        help="sphere: S^2 from two sides, shares of a Gaussian prior (PNG); cube: slices of "
                             "[-1, 1]^3, exact shares of a uniform prior (PNG); html: a rotatable sphere that works "
                             "offline; default: html for a .html output, else sphere")
    parser.add_argument("--encoding", default="01", help=f"input encoding: {' | '.join(ENCODINGS)} (default 01)")
    g = parser.add_argument_group("prior (default: the isotropic one the picture shows: gaussian for sphere and "
                                  "html, uniform for cube; no fan-in scaling)")
    g.add_argument("--prior", default=None, help=f"{' | '.join(PRIORS)}; must match --kind "
                   "(a sphere shows a gaussian prior, a cube a uniform one)")
    g.add_argument("--sigma-w", default="1", help="weight scale (default 1)")
    g.add_argument("--sigma-b", default="1", help="bias scale (default 1)")
    g.add_argument("--fan-in-scaling", action="store_true",
                   help="divide the weight scale by sqrt(2), as the other commands do by default; the picture is "
                        "then drawn in standardised coordinates (each parameter over its scale)")
    parser.add_argument("-o", "--output", required=True, metavar="FILE",
                        help="write the picture to FILE: .png (sphere, cube) or .html (html)")


def _kind(args, suffix: str) -> str:
    from boolnet.errors import BoolnetError

    kind = args.kind or ("html" if suffix == ".html" else "sphere")
    if (kind == "html") != (suffix == ".html"):
        want = ".html" if kind == "html" else ".png"
        raise BoolnetError(f"output {args.output}: --kind {kind} writes a {want} file; name it FILE{want}",
                           param="output")
    return kind


def run(args) -> int:
    from boolnet.errors import BoolnetError
    from boolnet.io import atomic_path, check_output_path
    from boolnet.priors import Prior

    path = check_output_path(args.output, suffixes=(".png", ".html"), param="output")  # before any work
    kind = _kind(args, path.suffix)
    from boolnet.plots import regions

    if args.n == 3:  # the library points to Python functions; here, to the commands that do the same
        raise BoolnetError("n = 3 cannot be drawn: its parameters (w1, w2, w3, b) live in 4 dimensions and its "
                           "regions on the sphere S^3; use `boolnet regions --n 3` for their half-spaces and "
                           "`boolnet exact --n 3` for their shares", param="n")
    regions._check_n(args.n)
    prior = Prior(args.prior or ("uniform" if kind == "cube" else "gaussian"), args.sigma_w, args.sigma_b,
                  fan_in_scaling=args.fan_in_scaling)
    if kind == "html":
        fig = regions.sphere_figure_plotly(args.n, prior, args.encoding)
        html = fig.to_html(include_plotlyjs=True, full_html=True, default_height="100vh",
                           config={"displaylogo": False, "responsive": True})
        with atomic_path(path, param="output") as tmp:
            tmp.write_text(html, encoding="utf-8")
    else:
        make = regions.sphere_figure if kind == "sphere" else regions.cube_figure
        fig = make(args.n, prior, args.encoding)
        with atomic_path(path, param="output") as tmp:
            fig.savefig(tmp, format="png", dpi=fig.dpi)
    what = {"html": "interactive sphere (open it in a browser; works offline)", "sphere": "parameter sphere",
            "cube": "parameter cube slices"}[kind]
    print(f"boolnet plot: {what} of the n = {args.n} perceptron, {prior.kind} prior, encoding {args.encoding} "
          f"-> {path}", file=sys.stderr)
    return 0
