"""The workbench (`chronochrome web`): a local web page to open a photo, compare the original
with its colorization, see the uncertainty, the context card, the exemplars and the region
map, edit the context and place color hints. `app.create_app(pipeline, config)` builds it;
the page itself is plain HTML, CSS and JS in `static/`, shipped with the package."""
