// Claims by an extra attribute (attr_<name>, typed as in the input) with their caveats (note)
MATCH (c:Claim)-[:SUBJECT]->(a), (c)-[:OBJECT]->(b)
WHERE c.attr_rounds >= 2 OR c.attr_occasion IS NOT NULL
RETURN a.name AS subject, c.predicate AS relation, b.name AS object, c.date AS date,
       c.attr_rounds AS rounds, c.attr_occasion AS occasion, c.note AS note
ORDER BY date, subject, relation, object
