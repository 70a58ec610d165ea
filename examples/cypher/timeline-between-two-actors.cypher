// Timeline between two actors: every relation reported between them, oldest first, with its
// status and evidence (change the two names; aliases work too)
MATCH (a:Entity), (b:Entity)
WHERE (a.name = 'Vladimir Putin' OR 'Vladimir Putin' IN a.aliases)
  AND (b.name = 'Donald Trump' OR 'Donald Trump' IN b.aliases)
MATCH (c:Claim)-[:SUBJECT|OBJECT]->(a), (c)-[:SUBJECT|OBJECT]->(b)
MATCH (c)-[:SUBJECT]->(s), (c)-[:OBJECT]->(o), (c)-[:DERIVED_FROM]->(d:Document)
RETURN toString(coalesce(c.date, c.start, d.published)) AS when, s.name AS subject, c.predicate AS relation,
       o.name AS object, c.status AS status, c.evidence AS evidence, d.id AS source
ORDER BY when, relation, evidence
