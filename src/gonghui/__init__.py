"""gonghui (工会): the work platform of a city trade-union federation."""
