"""The coordinators' web console: server-rendered pages over the same core services as the bots.

`app.build_app(core)` makes the aiohttp application; `app.serve(core, host, port, stop)` runs it
in the current event loop (`entraide web`, or `entraide run` with `web_port`).
"""
