// Events within 50 km of a place: every claim located at a place whose point lies within 50 km of
// the named one, nearest first (change the name and the distance; the point index serves it)
MATCH (here:Place)
WHERE (here.name = 'Kharkiv' OR 'Kharkiv' IN here.aliases) AND here.location IS NOT NULL
MATCH (there:Place)
WHERE point.distance(there.location, here.location) <= 50000
MATCH (c:Claim)-[:LOCATION]->(there)
MATCH (c)-[:SUBJECT]->(s), (c)-[:OBJECT]->(o), (c)-[:DERIVED_FROM]->(d:Document)
RETURN there.name AS place, round(point.distance(there.location, here.location) / 1000.0, 1) AS km,
       toString(coalesce(c.date, d.published)) AS when, s.name AS subject, c.predicate AS relation,
       o.name AS object, d.id AS source
ORDER BY km, when, source, relation, subject, object
