# Sphinx configuration of the collection's docs site (`make docs`), from antsibull-docs sphinx-init's template.
# The site is built offline: no intersphinx inventories can be fetched, so there is no intersphinx mapping, and the
# references antsibull-docs writes to the Ansible docs (ansible_devel labels) cannot resolve (ref.ref suppressed).
# Every other warning fails the build (sphinx-build -W).

project = 'alicloud.acr_access'
copyright = 'Contributors to the alicloud.acr_access collection'

title = 'alicloud.acr_access: Container Registry Enterprise Edition across regions and from a data center'
html_short_title = 'alicloud.acr_access'

# myst_parser reads the Markdown pages taken from docs/ (troubleshooting, RAM policies)
extensions = ['sphinx.ext.autodoc', 'sphinx.ext.intersphinx', 'sphinx_antsibull_ext', 'myst_parser']
source_suffix = {'.rst': 'restructuredtext', '.md': 'markdown'}
# generated/*.rst are parts of pages (included), not pages
exclude_patterns = ['generated/*.rst']

pygments_style = 'ansible'

highlight_language = 'YAML+Jinja'

html_theme = 'sphinx_ansible_theme'
html_show_sphinx = False

display_version = False

html_use_smartypants = True
html_use_modindex = False
html_use_index = False
html_copy_source = False

intersphinx_mapping = {}
suppress_warnings = ['ref.ref']

default_role = 'any'

nitpicky = True
