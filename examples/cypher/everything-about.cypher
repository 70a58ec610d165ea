// Everything the graph says about one actor (change the name)
MATCH (e:Entity)
WHERE e.name = 'Vladimir Putin' OR 'Vladimir Putin' IN e.aliases
MATCH (e)-[r]-(other:Entity)
RETURN e.name AS actor, type(r) AS relation,
       CASE WHEN startNode(r) = e THEN 'out' ELSE 'in' END AS direction,
       other.name AS other, coalesce(toString(r.date), toString(r.start)) AS when, r.sources AS sources
ORDER BY relation, other
