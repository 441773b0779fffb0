"""要素保障: the city's yearly pools of inputs, projects' requests against them, and allocations."""
