// Which countries exchanged prisoners (a symmetric relation: stored once, matched undirected)
MATCH (a)-[r:EXCHANGED_PRISONERS_WITH]-(b)
WHERE elementId(a) < elementId(b)
RETURN a.name AS side, b.name AS other_side, r.date AS date, r.evidence AS evidence
ORDER BY date
