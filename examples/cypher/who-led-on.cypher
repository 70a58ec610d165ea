// Who led the United States on a given day (change the date or the country)
WITH date('2024-12-01') AS day
MATCH (p:Person)-[r:LEADER_OF]->(c:Country {name: 'United States'})
WHERE r.start <= day AND (r.end IS NULL OR r.end >= day)
RETURN p.name AS leader, c.name AS country, r.start AS since, r.end AS until
