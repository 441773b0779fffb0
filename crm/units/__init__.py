"""The unit tree: 市直部门, 县市区, 开发区, 乡镇, grouped in 板块."""
