CALL SHOW_INDEXES() RETURN index_name AS name
