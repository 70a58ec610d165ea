// Which countries exchanged prisoners (a symmetric relation: stored once, matched undirected, each pair once by name)
MATCH (a)-[r:EXCHANGED_PRISONERS_WITH]-(b)
WHERE a.name < b.name
RETURN a.name AS side, b.name AS other_side, r.date AS date, r.evidence AS evidence
ORDER BY date
