// Claims that someone denies, who made them and who denies them
MATCH (c:Claim)-[:SUBJECT]->(s), (c)-[:OBJECT]->(o)
WHERE c.status IN ['disputed', 'denied']
OPTIONAL MATCH (c)-[:ASSERTED_BY]->(claimant)
OPTIONAL MATCH (c)-[:DENIED_BY]->(denier)
RETURN s.name AS subject, c.predicate AS relation, o.name AS object, c.status AS status,
       collect(DISTINCT claimant.name) AS claimed_by, collect(DISTINCT denier.name) AS denied_by, c.evidence AS evidence
