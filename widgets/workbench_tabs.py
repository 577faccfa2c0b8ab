"""The workbench's tabs by title, in their order: what happened first, then what the station
thinks, then the tools to act. Known before the workbench is built (`widgets.workspace`),
so that the View menu lists them, and their shortcuts work, from the start."""

TAB_TITLES = ("Timeline", "Station", "Transactions", "Charging schedule", "Connections",
              "Composer", "Responder", "Reference", "Validator")
