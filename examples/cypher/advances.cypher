// Who is advancing on which region (asserted reports only: denied or disputed claims are
// Claim nodes, not ADVANCING_ON relationships)
MATCH (a)-[r:ADVANCING_ON]->(place:Place)
RETURN a.name AS actor, place.name AS target, r.date AS date, r.evidence AS evidence, r.sources AS sources
