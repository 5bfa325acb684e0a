CREATE VECTOR INDEX entity_emb ON :Entity(embedding) WITH CONFIG {"dimension": <<dims>>, "capacity": 10000, "metric": "cos"}
