"""Sphinx configuration of the course website (`make site`; tools/website.py runs Sphinx).

The sources are not here: tools/website.py assembles them under build/site-src/<edition>/
(the notebooks of one edition, the home page from the README, the teacher's guide) and
passes this folder to Sphinx with ``-c site``. It sets GD_SITE_EDITION (``student``, the
learner site, or ``instructor``) and GD_SITE_DOWNLOADS (the folder whose ``notebooks/`` holds
the student edition's .ipynb files, copied into the site).

The notebooks are rendered with their recorded outputs and never executed (myst-nb,
``nb_execution_mode = "off"``): the recorded outputs are what nbval checks. MathJax 3 comes
from the sphinx-mathjax-offline package and is copied into ``_static/mathjax/``, so formulas
typeset without a network.
"""

from __future__ import annotations

import os

EDITION = os.environ.get("GD_SITE_EDITION", "student")

project = "Gradient Descent, from scratch to PyTorch"
author = "the course's authors"
copyright = "the course's authors, MIT licence"
html_title = project if EDITION == "student" else f"{project} (instructor edition)"

# sphinx.ext.githubpages writes .nojekyll, so that GitHub Pages serves _static/ and _images/.
extensions = ["myst_nb", "sphinx-mathjax-offline", "sphinx.ext.githubpages"]

# -- Notebooks: recorded outputs, never re-executed ---------------------------------------------
nb_execution_mode = "off"
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3
exclude_patterns = ["**.ipynb_checkpoints"]
master_doc = "index"

# -- Mathematics from this site's own folder ----------------------------------------------------
# sphinx-mathjax-offline copies MathJax 3 to _static/mathjax/ and points mathjax_path at it;
# set here too, so that a change of that package cannot silently bring back the CDN.
mathjax_path = "mathjax/tex-chtml.js"

# -- HTML ---------------------------------------------------------------------------------------
html_theme = "sphinx_book_theme"
html_static_path = ["_static"]
html_css_files = ["course.css"]
html_copy_source = False  # the download link offers the student edition instead
html_show_sourcelink = False
html_last_updated_fmt = None
html_theme_options = {
    "home_page_in_toc": True,
    "show_navbar_depth": 1,
    "show_toc_level": 2,
    "use_download_button": False,
    "use_fullscreen_button": False,
    "navigation_with_keys": False,
}
# The student edition's .ipynb files, linked from each page ("download the notebook"):
# tools/website.py builds them with tools/student.py and names their folder here.
html_extra_path = [os.environ["GD_SITE_DOWNLOADS"]] if os.environ.get("GD_SITE_DOWNLOADS") else []
