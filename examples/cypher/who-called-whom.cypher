// Who called whom, and when, with the evidence sentences
MATCH (a)-[r:CALLED]->(b)
RETURN a.name AS caller, b.name AS callee, r.date AS date, r.evidence AS evidence, r.sources AS sources
ORDER BY date
