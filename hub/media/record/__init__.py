"""Recording: live sources remuxed into files that survive a kill, their sidecars, the repair of a
torn tail, and start-up reconciliation of the recordings folder."""
