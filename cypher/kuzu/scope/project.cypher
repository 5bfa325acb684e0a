// A projected graph of one table's rows whose scope key column equals a code-derived hex key.
CALL PROJECT_GRAPH('<<graph>>', {'<<table>>': "n.<<column>> = '<<key>>'"}, [])
