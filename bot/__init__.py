"""醴陵户籍政策助手: policy engine, NLU components and web gateway."""
