"""Reports for managers: lead times against the norms, where cases wait, the diagram as a
heatmap, the audit trail, exports and the fund overview. One module per job:

| module | job |
|---|---|
| `rollups` | closed cases, tasks and phases, kept in the engine's transaction; `rebuild` |
| `dashboard` | the dashboard's figures for a period and filter (web and `wegwijs report`) |
| `heatmap` | per diagram element: median duration and the cases there now |
| `audit` | one case's events in order, as rows and CSV |
| `exports` | CSV of cases and tasks, an XES event log, an OCEL 2.0 log |
| `fundview` | the fund per month and per gebied, and when it runs out |
| `labels`, `periods`, `stats` | Dutch names for codes; months and periods; percentiles |

Everything reads the rollups, the read model and the engine's tables (`engine.readmodel`);
nothing here changes a case.
"""
