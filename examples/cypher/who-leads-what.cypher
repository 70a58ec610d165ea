// Who leads which country or organisation (and since/until when, where known)
MATCH (p:Person)-[r:LEADER_OF]->(c)
RETURN p.name AS leader, c.name AS leads, r.start AS since, r.end AS until, r.sources AS sources
ORDER BY leads, since
