"""My leave (调休): the person's balance, what expires soon, the ledger, coming duties; asking
for leave and cancelling a request."""
